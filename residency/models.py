"""Permanent residency applications (PRODUCT.md section 6); built in a later issue."""
