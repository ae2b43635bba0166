"""A new chart with the house look, and saving it."""

import os

from .ticks import style_axis


def new_chart(plt, title, xlabel, ylabel, note, log_x=True, log_y=False, size=(10, 5.4)):
    """(figure, axes) titled and labelled, 1-2-5 ticks on both axes, the note as footnote."""
    fig, ax = plt.subplots(figsize=size)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    style_axis(ax.xaxis, log_x)
    style_axis(ax.yaxis, log_y)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    fig.text(0.01, 0.01, note, fontsize=7, color="dimgray")
    return fig, ax


def finish(fig, ax, plotted):
    """The legend, beside the plot so that it hides no line, or `no data` across an empty
    chart; then the layout."""
    if plotted:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    else:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def save(plt, fig, out, name):
    """Writes the figure to OUT/NAME and closes it; returns the path."""
    path = os.path.join(out, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
