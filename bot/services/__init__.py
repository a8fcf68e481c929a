"""Use cases behind the handlers: they take a unit of work and plain values, never aiogram objects."""
