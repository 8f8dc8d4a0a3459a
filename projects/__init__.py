"""Tenancy and engagement management: users, firms, memberships, invitations and (later) clients,
engagements, sessions and the founder intake."""
