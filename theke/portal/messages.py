"""The portal's message purposes (registered with messaging's registry on import).

Each area keeps its own block, so parallel work merges cleanly.
"""

from __future__ import annotations

# --- invitation and registration (users) -----------------------------------------------------

# --- container orders: received, execution date, rent-free days (shop) -----------------------

# --- quote requests: to sales, answer to the customer (quotes) -------------------------------
