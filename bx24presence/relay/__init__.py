"""The office relay: one headless process polls the portal and publishes through Redis.

* :mod:`bx24presence.relay.service` runs the relay (``bx24presence relay --redis URL``);
* :mod:`bx24presence.relay.reader` is what desktops and scripts read it with;
* :mod:`bx24presence.relay.codec` is the format both sides share, and
  :mod:`bx24presence.relay.address` the Redis address, keys and credentials.

Nothing here imports Qt: the relay runs on servers without a display.
"""
