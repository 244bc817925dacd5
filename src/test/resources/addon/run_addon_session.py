#!/usr/bin/env python3
"""Runs the add-on guide's example (omnii_addon.py, verbatim) until told to stop.

Usage: run_addon_session.py SERVER_URL ENROLLMENT_CODE
Prints "READY <enrollment JSON>" once connected to the broker; the example prints what it receives.
A line "stop" on standard input stops the add-on and this script.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from omnii_addon import OmniiAddon  # noqa: E402

addon = OmniiAddon(server_url=sys.argv[1], enrollment_code=sys.argv[2], instance_name="Home Assistant - Main")
if not addon.start():
    sys.exit(1)
deadline = time.time() + 15
while not addon.running and time.time() < deadline:
    time.sleep(0.05)
if not addon.running:
    sys.exit(1)
print("READY " + json.dumps(addon.enrollment_data), flush=True)
for line in sys.stdin:
    if line.strip() == "stop":
        break
addon.stop()
print("STOPPED", flush=True)
