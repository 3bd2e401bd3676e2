#!/usr/bin/env python3
"""check_directory.py DIRECTORY RULE_FILE...: checks an owner directory file (SPEC section 5) the
way `tocsin directory import` judges it, without a database: no repeated handle or service, no
unknown handle, a `default` service. Also checks that every fixed `service` label of the alert
rules has an entry, so that no rule's alerts fall through to `default` by a typo.
Prints one line per problem and exits 1 if there is any. Needs PyYAML (Debian: python3-yaml)."""
import sys

import yaml


class StrictLoader(yaml.SafeLoader):
    """A loader that refuses repeated mapping keys, which plain YAML loading silently merges."""


def construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"repeated key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
LEVELS = ("owners", "tech_managers", "sre")


def problems(directory_path, rule_paths):
    with open(directory_path, encoding="utf-8") as f:
        directory = yaml.load(f, Loader=StrictLoader)
    people = directory.get("people") or {}
    services = {str(name): entry or {} for name, entry in (directory.get("services") or {}).items()}
    scopes = [("defaults", directory.get("defaults") or {})] + list(services.items())
    for scope, entry in scopes:
        for level in LEVELS:
            for handle in entry.get(level) or []:
                if handle not in people:
                    yield f"{scope}.{level}: unknown handle {handle!r}"
    if "default" not in services:
        yield "services: no `default` service"
    for rule_path in rule_paths:
        with open(rule_path, encoding="utf-8") as f:
            groups = yaml.safe_load(f)["groups"]
        for rule in (r for g in groups for r in g["rules"] if "alert" in r):
            service = (rule.get("labels") or {}).get("service")
            if service and "{{" not in service and service not in services:
                yield f"{rule_path}: {rule['alert']} pages service {service!r}, absent from the directory"


if __name__ == "__main__":
    try:
        found = list(problems(sys.argv[1], sys.argv[2:]))
    except yaml.YAMLError as error:
        found = [" ".join(str(error).split())]
    for line in found:
        print(line)
    sys.exit(1 if found else 0)
