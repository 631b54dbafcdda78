"""The files to upload: found, validated in one streaming pass each, and streamed into the scan."""
