"""The ``__main__`` of multigap's worker processes (run by path, before anything is unpickled).

:class:`multigap.runs.executors.ProcessPool` starts its workers with this file as their main
module instead of the caller's ``__main__``, so a script without ``if __name__ ==
"__main__":``, code piped on stdin or ``python -c`` is never re-run in a worker. It is run with
:func:`runpy.run_path` (no package import), so its first line runs within milliseconds of the
worker's start: a Ctrl-C in the terminal (sent to the whole process group) is left to the
parent, which shuts the pool down; workers never print a KeyboardInterrupt traceback.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
