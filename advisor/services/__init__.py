"""The advisor's Django face: services that load firm data, call the engine and persist."""
