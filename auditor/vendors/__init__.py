"""One folder a system the MSP runs beside Microsoft (issue 106): each vendor's client, its records,
its reads and its writes. `halo/`: HaloPSA."""
