from tests.accounts.conftest import sms_outbox  # noqa: F401 - autouse here too
