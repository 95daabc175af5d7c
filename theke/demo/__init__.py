"""Demo data and the simulated back office: the one package that may import every domain."""
