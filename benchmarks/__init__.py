"""Speed and scaling benchmarks of multigap (``make bench``); figures go to BENCHMARKS.md."""
