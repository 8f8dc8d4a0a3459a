"""Forkcast's REST API (DESIGN §1, §4): `/api/v1/firms/<firm>/…`, for integrations.

- `base.FirmApiView` is the API's one choke point (authentication, firm, role or key scope,
  throttling, rendering inside the firm's scope);
- `auth`, `throttles`, `pagination`, `errors`: the cross-cutting parts it uses;
- `clients`, `engagements`, `recommendations`, `library`, `evaluator`: one module per resource,
  each API thin, its input and output serializers side by side;
- `selectors`: the API's reads, all keyed by firm; writes go through the services;
- `schema`: the OpenAPI schema's additions (error responses, profile and assessment documents).

See docs/API.md for the surface as integrators see it.
"""
