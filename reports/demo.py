def demo_load() -> list:
    return []
