// The starter file `init` writes when no API key is set: valid as it is, commented for a first read.

export function starterFile(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# reflag-sync keeps the feature flag targeting of one Reflag app equal to this file.
# 1. Set \`app\` below: the app id is the part after app.reflag.com/ in the app's URL.
# 2. export REFLAG_API_KEY=...   (a Management API key: Reflag app settings -> API keys)
# 3. reflag-sync describe        the app's environment and stage names
#    reflag-sync export --flag 'checkout-*' -o flags.reflag.yaml --force
#                                 or write flags by hand, as in the example below
# 4. reflag-sync plan            what would change;  reflag-sync apply  makes it so
version: 1
app: ap123456789 # your app's id
changeDescription: Synced from git by reflag-sync

policy:
  prune: true # remove live targets that a managed flag's listed environments do not list
  maxChanges: 500 # refuse a larger plan unless --force

# environments: # optional short names, used as keys under a flag's targeting
#   prod: Production

# Only the flags listed here are managed; every other flag of the app is left alone.
flags: {}
#   new-checkout-flow: # the flag's key
#     name: New checkout flow # needed to create a flag that does not exist yet
#     stage: Beta
#     archived: false
#     targeting:
#       Production: # an environment (name or id): its targets are exactly these
#         companies: [acme-corp, globex]
#         users: [user-1]
`;
}
