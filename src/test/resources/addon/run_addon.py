#!/usr/bin/env python3
"""Drives the add-on guide's example (omnii_addon.py, kept verbatim) against a running server.

Usage: run_addon.py SERVER_URL ENROLLMENT_CODE
Prints one JSON line: the enrollment data the add-on stored and whether it reached the MQTT broker.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from omnii_addon import OmniiAddon  # noqa: E402

addon = OmniiAddon(server_url=sys.argv[1], enrollment_code=sys.argv[2], instance_name="Home Assistant - Main")
started = addon.start()
deadline = time.time() + 15
while started and not addon.running and time.time() < deadline:
    time.sleep(0.05)
# The example publishes its "online" status on connect; give paho a moment to deliver it at QoS 1.
time.sleep(1)
connected = addon.running
print(json.dumps({"started": started, "mqttConnected": connected, "enrollment": addon.enrollment_data}))
addon.stop()
sys.exit(0 if started and connected else 1)
