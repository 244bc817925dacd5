#!/usr/bin/env python3
"""
Home Assistant Omnii Add-on
Connects Home Assistant to Omnii Server for centralized management
"""

import paho.mqtt.client as mqtt
import requests
import json
import time
import threading
from urllib.parse import urlparse
from typing import Optional, Dict

class OmniiAddon:
    def __init__(self, server_url: str, enrollment_code: str, instance_name: str):
        self.server_url = server_url
        self.enrollment_code = enrollment_code
        self.instance_name = instance_name
        self.enrollment_data: Optional[Dict] = None
        self.client: Optional[mqtt.Client] = None
        self.running = False
        
    def enroll(self) -> bool:
        """Enroll with the server"""
        try:
            response = requests.post(
                f"{self.server_url}/enroll",
                json={
                    "code": self.enrollment_code,
                    "name": self.instance_name
                },
                verify=True,
                timeout=10
            )
            
            if response.status_code == 200:
                self.enrollment_data = response.json()
                print(f"Enrolled successfully. Instance ID: {self.enrollment_data['instanceId']}")
                return True
            else:
                print(f"Enrollment failed: {response.text}")
                return False
        except Exception as e:
            print(f"Enrollment error: {e}")
            return False
    
    def connect_mqtt(self) -> bool:
        """Connect to MQTT broker"""
        if not self.enrollment_data:
            print("Not enrolled. Call enroll() first.")
            return False
        
        parsed = urlparse(self.enrollment_data["mqttBrokerUrl"])
        broker_host = parsed.hostname
        broker_port = parsed.port or 1883
        
        self.client = mqtt.Client(
            client_id=self.enrollment_data["mqttClientId"]
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        
        try:
            self.client.connect(broker_host, broker_port, 60)
            self.client.loop_start()
            return True
        except Exception as e:
            print(f"MQTT connection error: {e}")
            return False
    
    def _on_connect(self, client, userdata, flags, rc):
        if rc == 0:
            print("Connected to MQTT broker")
            topics = self.enrollment_data["topics"]
            client.subscribe(topics["commands"], qos=1)
            self.running = True
            # Send initial status
            self.publish_status("online")
        else:
            print(f"Failed to connect: {rc}")
    
    def _on_message(self, client, userdata, msg):
        try:
            command = json.loads(msg.payload.decode())
            self.handle_command(command)
        except Exception as e:
            print(f"Error processing command: {e}")
    
    def _on_disconnect(self, client, userdata, rc):
        print("Disconnected from MQTT broker")
        self.running = False
    
    def publish_status(self, status: str):
        """Publish status update"""
        if not self.client or not self.running:
            return
        
        topics = self.enrollment_data["topics"]
        payload = {
            "status": status,
            "version": self._get_ha_version(),
            "timestamp": int(time.time() * 1000)
        }
        self.client.publish(topics["status"], json.dumps(payload), qos=1)
    
    def send_heartbeat(self):
        """Send heartbeat"""
        if not self.client or not self.running:
            return
        
        topics = self.enrollment_data["topics"]
        payload = {
            "status": "online",
            "uptime": self._get_uptime(),
            "timestamp": int(time.time() * 1000)
        }
        self.client.publish(topics["heartbeat"], json.dumps(payload), qos=1)
    
    def send_metrics(self):
        """Send detailed metrics"""
        if not self.client or not self.running:
            return
        
        topics = self.enrollment_data["topics"]
        payload = {
            "uptimeSeconds": self._get_uptime(),
            "version": self._get_ha_version(),
            "stabilityScore": self._calculate_stability(),
            "metadata": self._get_metadata(),
            "timestamp": int(time.time() * 1000)
        }
        self.client.publish(topics["metrics"], json.dumps(payload), qos=1)
    
    def handle_command(self, command: dict):
        """Handle command from server"""
        cmd_type = command.get("command")
        payload = command.get("payload", {})
        
        print(f"Received command: {cmd_type}")
        
        if cmd_type == "get_status":
            self.publish_status("online")
        elif cmd_type == "get_metrics":
            self.send_metrics()
        # Add more command handlers as needed
    
    def start(self):
        """Start the add-on"""
        if not self.enroll():
            return False
        
        if not self.connect_mqtt():
            return False
        
        # Start heartbeat loop
        def heartbeat_loop():
            while self.running:
                self.send_heartbeat()
                time.sleep(30)
        
        # Start metrics loop
        def metrics_loop():
            while self.running:
                self.send_metrics()
                time.sleep(300)  # 5 minutes
        
        threading.Thread(target=heartbeat_loop, daemon=True).start()
        threading.Thread(target=metrics_loop, daemon=True).start()
        
        return True
    
    def stop(self):
        """Stop the add-on"""
        self.running = False
        if self.client:
            self.client.loop_stop()
            self.client.disconnect()
    
    # Helper methods (implement based on Home Assistant API)
    def _get_ha_version(self) -> str:
        # Use Home Assistant API to get version
        return "2024.1.0"  # Example
    
    def _get_uptime(self) -> int:
        # Get system uptime in seconds
        return int(time.time())  # Example
    
    def _calculate_stability(self) -> float:
        # Calculate stability score (0.0 - 1.0)
        return 0.95  # Example
    
    def _get_metadata(self) -> dict:
        # Get additional metadata
        return {
            "coreVersion": "2024.1.0",
            "supervisorVersion": "2024.01.0",
            # Add more metadata
        }


# Usage
if __name__ == "__main__":
    addon = OmniiAddon(
        server_url="https://your-server:3001",
        enrollment_code="123456",  # From user configuration
        instance_name="Home Assistant - Main"
    )
    
    if addon.start():
        try:
            # Keep running
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            addon.stop()
    else:
        print("Failed to start add-on")
