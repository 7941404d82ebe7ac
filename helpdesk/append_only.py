"""Models whose rows are written once and never changed: the event log, the audit log."""

from __future__ import annotations


class AppendOnlyError(Exception):
    pass


class AppendOnly:
    """Mixed into a model before ``models.Model``: saving a stored row or deleting one raises
    ``refusal`` before any SQL is sent (the table's trigger refuses it in the database too)."""

    refusal: type[AppendOnlyError] = AppendOnlyError
    refusal_message = "rows of this table are append-only"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise self.refusal(self.refusal_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.refusal(self.refusal_message)
