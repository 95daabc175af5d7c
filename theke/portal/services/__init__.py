"""State changes of the portal, one module per area: activation and users (`users`),
the terms (`consent`), the container shop and container orders (`shop`), quote requests
(`quotes`)."""
