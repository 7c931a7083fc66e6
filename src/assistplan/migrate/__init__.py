"""Migrations that rewrite manifests, never remote objects: Assistants to Agents (`assistants`), Flowise OPENAI
assistants to CUSTOM ones (`flowise`). Each reads a loaded project and returns the files to write and a report
(`report`); `documents` finds a resource's text as written, writes YAML as a person would and lays the files out,
refusing to overwrite any file.
"""
