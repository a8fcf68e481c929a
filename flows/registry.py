"""The routes the engine knows, by id and version. A case pins (id, version); older versions stay
available (from their stored definition) so a new route file never breaks a running case."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flows.loader import builtin_route_files, parse_route
from flows.route import Route


class UnknownRoute(LookupError):
    pass


class RouteRegistry:
    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes: dict[tuple[str, int], Route] = {}
        self._sources: dict[tuple[str, int], str] = {}
        for route in routes:
            self.add(route)

    def add(self, route: Route, source_text: str | None = None) -> None:
        self._routes[route.key] = route
        if source_text is not None:
            self._sources[route.key] = source_text

    def definition(self, route_id: str, version: int) -> str | None:
        """The file text a route version was loaded from (stored with the cases that pin it)."""
        return self._sources.get((route_id, version))

    def get(self, route_id: str, version: int | None = None) -> Route:
        if version is None:
            return self.latest(route_id)
        try:
            return self._routes[(route_id, version)]
        except KeyError:
            raise UnknownRoute(f"route {route_id!r} version {version} is not loaded") from None

    def latest(self, route_id: str) -> Route:
        versions = [r for (rid, _), r in self._routes.items() if rid == route_id]
        if not versions:
            raise UnknownRoute(f"unknown route {route_id!r}")
        return max(versions, key=lambda r: r.version)

    def ids(self) -> list[str]:
        return sorted({rid for rid, _ in self._routes})

    def current(self) -> list[Route]:
        return [self.latest(rid) for rid in self.ids()]

    def has(self, route_id: str, version: int) -> bool:
        return (route_id, version) in self._routes

    def __contains__(self, route_id: object) -> bool:
        return any(rid == route_id for rid, _ in self._routes)


def builtin_registry() -> RouteRegistry:
    """A registry of the shipped routes. Its own object (callers add stored versions to it), over routes
    parsed once per process: route files are package data and `Route`s are immutable."""
    registry = RouteRegistry()
    for route, text in _builtin_routes():
        registry.add(route, text)
    return registry


@cache
def _builtin_routes() -> tuple[tuple[Route, str], ...]:
    files = sorted(builtin_route_files().items())
    return tuple((parse_route(text, f"flows/routes/{name}"), text) for name, text in files)
