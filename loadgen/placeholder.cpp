// Placeholder until the load generator lands; removed then.
