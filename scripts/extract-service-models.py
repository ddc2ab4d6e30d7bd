#!/usr/bin/env python3
"""Extract a small fixture of AWS service models for the local API emulator.

Reads the botocore service models installed on this machine and writes
test/emulator/service-models.json with only the operations the emulator serves
and the shapes their inputs and errors reference (transitively). Documentation
and other members the emulator does not use are stripped.

Usage: python3 scripts/extract-service-models.py [--output PATH]
"""

import argparse
import glob
import gzip
import json
import os
import sys

import botocore

SERVICES = {
    'organizations': [
        'InviteAccountToOrganization',
        'ListHandshakesForOrganization',
        'DescribeHandshake',
        'CancelHandshake',
        'DescribeAccount',
        'DescribeOrganization',
        'ListAccounts',
        # invitee side (called from the invited account)
        'ListHandshakesForAccount',
        'AcceptHandshake',
        'DeclineHandshake',
    ],
    'workspaces': [
        'CreateAccountLinkInvitation',
        'GetAccountLink',
        'ListAccountLinks',
        'DeleteAccountLinkInvitation',
        'AcceptAccountLinkInvitation',
        'RejectAccountLinkInvitation',
    ],
    'macie2': [
        'GetMacieSession',
        'CreateMember',
        'GetMember',
        'ListMembers',
        'CreateInvitations',
        'DisassociateMember',
        'DeleteMember',
        'AcceptInvitation',
        # member side (called from the invited account)
        'EnableMacie',
        'GetAdministratorAccount',
        'ListInvitations',
        'DisassociateFromAdministratorAccount',
    ],
    # Amazon Detective: the administrator's side as AWS::Detective::Graph and AWS::Detective::MemberInvitation call it
    # (CloudFormation invites; the tests play its handler), and the member's side, DetectiveInvitationAccepter
    'detective': [
        'CreateGraph',
        'CreateMembers',
        'GetMembers',
        'DeleteMembers',
        # member side (called from the invited account)
        'ListInvitations',
        'AcceptInvitation',
        'DisassociateMembership',
        'RejectInvitation',
    ],
    # The owner's calls as CloudFormation's AWS::RAM::ResourceShare makes them, and the receiver's (ResourceShareAccepter)
    'ram': [
        'CreateResourceShare',
        'AssociateResourceShare',
        'DeleteResourceShare',
        # receiver side (called from the receiving account)
        'GetResourceShareInvitations',
        'AcceptResourceShareInvitation',
        'GetResourceShares',
        'DisassociateResourceShare',
    ],
    'securityhub': [
        'DescribeHub',
        'CreateMembers',
        'InviteMembers',
        'GetMembers',
        'ListMembers',
        'DisassociateMembers',
        'DeleteMembers',
        # member side (called from the invited account)
        'EnableSecurityHub',
        'ListInvitations',
        'AcceptAdministratorInvitation',
        'GetAdministratorAccount',
        'DisassociateFromAdministratorAccount',
    ],
    # Asked by the handlers on Delete: does another resource of the stack still stand for the invitation? When did
    # this resource's Create begin (the cleanup of a Create that did not finish)?
    'cloudformation': [
        'DescribeStacks',
        'GetTemplate',
        'DescribeStackEvents',
    ],
    # Acceptance through a role in the invited account; the emulator maps the credentials it hands out to that account.
    'sts': [
        'AssumeRole',
        'GetCallerIdentity',
    ],
}

PROTOCOLS = {'json': 'awsJson1_1', 'rest-json': 'restJson1', 'query': 'awsQuery'}
SHAPE_KEYS = ('type', 'required', 'enum', 'pattern', 'min', 'max', 'exception', 'fault')
MEMBER_KEYS = ('shape', 'location', 'locationName')
# The emulator's request parsing handles body members, URI labels and query strings only.
SUPPORTED_LOCATIONS = (None, 'uri', 'querystring')


def load_model(data_dir, service):
    paths = sorted(glob.glob(os.path.join(data_dir, service, '*', 'service-2.json.gz')))
    if not paths:
        sys.exit(f'no botocore model for {service} under {data_dir}')
    with gzip.open(paths[-1]) as f:
        return json.load(f)


def strip_member(member):
    return {k: member[k] for k in MEMBER_KEYS if k in member}


def strip_shape(name, shape):
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if 'members' in shape:
        out['members'] = {}
        for member_name, member in shape['members'].items():
            if member.get('location') not in SUPPORTED_LOCATIONS:
                sys.exit(f'{name}.{member_name}: unsupported location {member["location"]}')
            out['members'][member_name] = strip_member(member)
    for key in ('member', 'key', 'value'):
        if key in shape:
            out[key] = strip_member(shape[key])
    if 'error' in shape and 'httpStatusCode' in shape['error']:
        out['error'] = {'httpStatusCode': shape['error']['httpStatusCode']}
        # awsQuery: the error code on the wire (e.g. ChangeSetNotFound for ChangeSetNotFoundException)
        if 'code' in shape['error']:
            out['error']['code'] = shape['error']['code']
    return out


def referenced_shapes(model, roots):
    seen = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = model['shapes'][name]
        pending.extend(m['shape'] for m in shape.get('members', {}).values())
        pending.extend(shape[k]['shape'] for k in ('member', 'key', 'value') if k in shape)
    return seen


def extract(model, operation_names):
    metadata = model['metadata']
    protocol = PROTOCOLS[metadata['protocol']]
    operations = {}
    roots = []
    for name in operation_names:
        op = model['operations'][name]
        http = op['http']
        if '+' in http['requestUri'] or '?' in http['requestUri']:
            sys.exit(f'{name}: unsupported requestUri {http["requestUri"]}')
        entry = {'http': {k: http[k] for k in ('method', 'requestUri', 'responseCode') if k in http}}
        if 'input' in op:
            entry['input'] = op['input']['shape']
            roots.append(entry['input'])
        if 'resultWrapper' in op.get('output', {}):
            entry['resultWrapper'] = op['output']['resultWrapper']
        entry['errors'] = [e['shape'] for e in op.get('errors', [])]
        roots.extend(entry['errors'])
        operations[name] = entry
    service = {
        'protocol': protocol,
        'apiVersion': metadata['apiVersion'],
        'signingName': metadata.get('signingName', metadata['endpointPrefix']),
        'operations': operations,
        'shapes': {n: strip_shape(n, model['shapes'][n]) for n in sorted(referenced_shapes(model, roots))},
    }
    if protocol == 'awsJson1_1':
        service['targetPrefix'] = metadata['targetPrefix']
    if protocol == 'awsQuery':
        service['xmlNamespace'] = metadata['xmlNamespace']
    return service


def to_json(value, depth=0):
    """JSON with one line per operation and per shape (members in model order): small, yet readable in diffs."""
    if depth == 4 or not isinstance(value, dict):
        return json.dumps(value, separators=(',', ':'))
    indent = ' ' * (depth + 1)
    items = [f'{indent}{json.dumps(k)}: {to_json(v, depth + 1)}' for k, v in sorted(value.items())]
    return '{\n' + ',\n'.join(items) + '\n' + ' ' * depth + '}' + ('\n' if depth == 0 else '')


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output', default=os.path.join(repo, 'test', 'emulator', 'service-models.json'))
    args = parser.parse_args()

    data_dir = os.path.join(os.path.dirname(botocore.__file__), 'data')
    fixture = {
        'source': f'botocore {botocore.__version__}',
        'services': {s: extract(load_model(data_dir, s), ops) for s, ops in SERVICES.items()},
    }
    with open(args.output, 'w') as f:
        f.write(to_json(fixture))
    print(f'wrote {args.output} ({os.path.getsize(args.output)} bytes)')


if __name__ == '__main__':
    main()
