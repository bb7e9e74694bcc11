"""The pytest shell: hooks, nodes, live mode, xdist and fixtures."""
