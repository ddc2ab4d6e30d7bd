import { CfnResource, ITaggableV2, Lazy, TagManager, TagType } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The tags of one raw `CfnResource` (as core's `CustomResourceProvider` makes them): a child construct with a tag
 * manager, which `Tags.of(scope)`'s aspect finds like any L1's, rendered into the resource's `Tags` property at synth.
 * The resource type name is the resource's, so `includeResourceTypes` / `excludeResourceTypes` work as usual.
 * `KEY_VALUE` renders `[{ Key, Value }]` as is (the `STANDARD` formatter leaves the lower-case keys that L1 classes
 * convert, and a raw resource does not).
 */
class ResourceTags extends Construct implements ITaggableV2 {
  public readonly cdkTagManager: TagManager;

  constructor(resource: CfnResource) {
    super(resource, 'Tags');
    this.cdkTagManager = new TagManager(TagType.KEY_VALUE, resource.cfnResourceType, undefined, { tagPropertyName: 'Tags' });
    resource.addPropertyOverride('Tags', Lazy.any({ produce: () => this.cdkTagManager.renderTags() }));
  }
}

/**
 * Makes a raw `CfnResource` whose type takes a standard `Tags` list ([{ Key, Value }]: Lambda functions, IAM roles,
 * log groups) obey `Tags.of`.
 */
export function makeTaggable(resource: CfnResource): void {
  new ResourceTags(resource);
}
