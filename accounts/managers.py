from django.contrib.auth.base_user import BaseUserManager

from accounts.validators import normalize_qid, validate_qid


class PersonManager(BaseUserManager):
    """Register rows are created without a usable password; people set one online."""

    use_in_migrations = True

    def get_by_natural_key(self, qid):

        return self.get(qid=normalize_qid(qid))

    def create_user(self, qid, password=None, **fields):
        person = self.model(qid=validate_qid(qid), **fields)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(self, qid, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(qid, password, **fields)
