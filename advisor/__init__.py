"""The advisor: the pure decision engine (`advisor.engine`) and its Django face."""
