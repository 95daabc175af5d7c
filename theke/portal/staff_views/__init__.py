"""The portal's staff pages, one module per area (see urls.py)."""
