"""A helper process of a probe step that writes one JSON document to a temporary file.

The probe's tf_keras and availability children and the propagation step's training child are
all this: started with `--out FILE` appended to their command, their output going to a
temporary file (a talkative child can never block on a full pipe), waited for, read, and
removed. The step's own file keeps one writer: the parent. Python 3.6-clean.
"""

import json
import os
import subprocess
import tempfile

from initcompat.probe import schema


class ChildProcess(object):
    """`command` + ["--out", a temporary file], running beside the parent."""

    def __init__(self, command, environment=None):
        handle, self.out = tempfile.mkstemp(suffix=".json")
        os.close(handle)
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(list(command) + ["--out", self.out], env=environment,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        universal_newlines=True)

    def wait(self):
        """(the document it wrote, None) once it ended; (None, why) when it failed: its exit
        status and the end of its output, or why its file cannot be read."""
        returncode = self.process.wait()
        if returncode != 0:
            self.log.seek(0)
            return None, "exited with status %d: %s" % (returncode,
                                                        self.log.read()[-schema.TAIL_CHARS:])
        try:
            with open(self.out) as stream:
                return json.load(stream), None
        except (IOError, OSError, ValueError) as error:
            return None, "left no readable document (%s: %s)" % (type(error).__name__, error)

    def close(self):
        """Stop the child if it still runs (the parent failed or was interrupted); remove its
        files."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if os.path.exists(self.out):
            os.unlink(self.out)
