"""Knowledge-base pages: agent.py is the staff desk at /agent/kb/, public.py the reader's /kb/."""
