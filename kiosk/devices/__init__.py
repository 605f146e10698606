"""Hardware behind ports: card readers, cameras, document scanners, and their simulations."""
