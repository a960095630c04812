"""One module per platform; everything downstream sees only pages of `records.py` records."""
