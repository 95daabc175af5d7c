"""State changes of messaging, one module per area (the domain outgrew one services.py)."""
