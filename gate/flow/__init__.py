"""The gate's flow over ports: scan, upload, wait, decide, report, then the comments. No I/O library."""
