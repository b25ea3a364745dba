"""A worker in Python: pull events from morph-webhook's inbox, handle them, ack or fail them."""
import json
import subprocess
import sys

cli, inbox = sys.argv[1], sys.argv[2]  # the morph-webhook binary, the inbox URI serve writes to
until_empty = "--until-empty" in sys.argv  # stop when nothing is ready (tests); else poll forever


def inbox_command(command, *args):
    return subprocess.run([cli, "inbox", command, "--inbox", inbox, *args],
                          capture_output=True, text=True)


def handle(event):  # your work; make it idempotent: a delivery whose lease expired runs again
    print(event["event"], event["data"]["id"], flush=True)


while True:
    pulled = inbox_command("pull", "--max", "10", "--wait", "1s" if until_empty else "30s")
    if pulled.returncode == 1:  # nothing became ready within --wait
        if until_empty:
            break
        continue
    pulled.check_returncode()  # 2: a usage or storage error
    for line in pulled.stdout.splitlines():
        delivery = json.loads(line)
        lease = f"{delivery['delivery']}:{delivery['lease']}"
        try:
            if not delivery["stale"]:  # older than a state already seen: skip, but ack
                handle(delivery["body"])
            inbox_command("ack", lease).check_returncode()
        except Exception as error:  # retried after a backoff, dead after max_attempts
            inbox_command("fail", lease, "--reason", str(error)[:200])
