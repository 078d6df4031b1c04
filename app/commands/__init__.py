"""The `zorgcert` command line over the core."""
