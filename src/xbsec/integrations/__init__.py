"""Adapters for HTTP libraries and generated clients, one module each.

Each module imports its own library, so that library stays an optional extra: import
``xbsec.integrations.aiohttp`` (for instance) only where aiohttp is installed. This package
imports none of them.
"""
