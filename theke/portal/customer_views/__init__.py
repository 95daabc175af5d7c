"""The portal's customer pages, one module per area (see customer_urls.py)."""
