# The English formats (day before month, a 24-hour clock), with the Arabic comma.
from moi_portal.formats.en.formats import *  # noqa: F403

DATETIME_FORMAT = "j F Y، H:i"
