# Writes OUTPUT, a header defining ROBOTBENCH_GIT_REVISION as the short revision of SOURCE_DIR
# ("unknown" outside a git checkout). Run at every build by the robotbench_git_revision target;
# the file is rewritten only when the revision changed, so an unchanged revision rebuilds nothing.
execute_process(
    COMMAND git rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${SOURCE_DIR}
    OUTPUT_VARIABLE revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE git_status)
if(NOT git_status EQUAL 0 OR NOT revision)
    set(revision "unknown")
endif()
set(content "// Generated at build time by harness/git_revision.cmake.\n#pragma once\n#define ROBOTBENCH_GIT_REVISION \"${revision}\"\n")
set(old "")
if(EXISTS ${OUTPUT})
    file(READ ${OUTPUT} old)
endif()
if(NOT old STREQUAL content)
    file(WRITE ${OUTPUT} "${content}")
endif()
