"""The demo province's providers: Hue-S field reports, monitoring stations, vessel tracking."""
