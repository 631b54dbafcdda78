"""The files to upload: found, each validated in one read, and streamed into the scan."""
