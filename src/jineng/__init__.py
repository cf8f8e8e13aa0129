"""Jineng (技能): information system for a public vocational-skills programme."""
