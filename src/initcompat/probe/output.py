"""Writing a result: atomically (temp file in the same folder, then rename), never half a file.

Python 3.6-clean.
"""

import json
import os
import tempfile


def replace_atomically(path, write):
    """Call write(temporary_path) for a temp file beside `path`, then rename it over `path`.

    Readers see the old file or the whole new one; an interrupted write leaves no temp file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                                         suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; results are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_json_atomic(path, document):
    """Write `document` as JSON to `path` so readers see the old file or the whole new one."""
    def write(temporary):
        # json.dumps, not json.dump: dump encodes in pure Python chunk by chunk, dumps with the C
        # encoder (the same bytes; 0.15 -> 0.06 s CPU for a 3.3 MB TF 2.14 result)
        text = json.dumps(document, sort_keys=True, allow_nan=False, separators=(",", ":"))
        with open(temporary, "w") as stream:
            stream.write(text)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
    replace_atomically(path, write)
