"""The runner's side of the process: workflow commands, outputs, summary, files, and its signals."""
