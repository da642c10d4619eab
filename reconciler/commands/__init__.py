"""One module per command: typed parameters in, exit code out. Wired in `reconciler.cli`."""
