"""Data: the indicator catalogue, the synthetic market, file loading, validation and splits."""
