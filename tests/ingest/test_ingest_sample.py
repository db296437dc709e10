"""The bundled sample loads cleanly, and loading it twice stores nothing new."""

from revertguard.ingest import ingest
from revertguard.samples import sample_logs_dir


def test_sample_ingests_without_rejections_and_is_idempotent(store):
    first = ingest([str(sample_logs_dir())], store)
    assert first.rejected == 0
    assert first.added > 0
    second = ingest([str(sample_logs_dir())], store)
    assert second.added == 0
    assert second.duplicates == first.added
    assert second.records_read == second.added + second.duplicates + second.rejected
