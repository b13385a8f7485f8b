"""What a rule check returns, shared by the eligibility modules of every service."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """One rule a person does not meet, and what would fix it."""

    code: str
    reason: str
    fix_label: str = ""
    fix_url: str = ""
