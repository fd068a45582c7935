package writeback

func syncAll() {}
