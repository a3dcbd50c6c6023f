# The peer for bench/compare: Locust's equivalents of bench/scenarios/*.yaml.
# SCENARIO=plain|website|idle picks the job, USER_KIND=fast|http the client.
import os
import re

from locust import HttpUser, task, constant
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = os.environ.get("SCENARIO", "plain")
Base = FastHttpUser if os.environ.get("USER_KIND", "fast") == "fast" else HttpUser
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


class PlainUser(Base):
    wait_time = constant(0)
    abstract = SCENARIO != "plain"

    @task
    def index(self):
        self.client.get("/")


class WebsiteUser(Base):
    wait_time = constant(0)
    abstract = SCENARIO != "website"

    def on_start(self):
        self.client.post("/user/signin", data={"email": "user@example.com", "password": "what!thatsmypasswordtoo"})

    @task(10)
    def index(self):
        self.client.get("/")

    @task(5)
    def about(self):
        with self.client.get("/about", catch_response=True) as r:
            if "Founded" not in r.text:
                r.failure("body does not contain 'Founded'")

    @task(1)
    def contact_us(self):
        r = self.client.get("/contact_us")
        m = TOKEN.search(r.text or "")
        self.client.post("/contact_us", data={"csrf_token": m.group(1) if m else "", "email": "user@example.com",
                                              "subject": "Sales inquiry", "message": "I am very interested"})


class IdleUser(Base):
    """bench/scenarios/idle.yaml: one request to open the connection, then a long wait."""
    wait_time = constant(3600)
    abstract = SCENARIO != "idle"

    def on_start(self):
        self.client.get("/")

    @task
    def ping(self):
        self.client.get("/")
