/* SPDX-License-Identifier: MIT */
/* Completion status codes: names from the specification and the errno a
 * caller gets for each. */
#include <errno.h>
#include <stddef.h>

#include <uvf/nvme.h>

struct status_desc {
	uint16_t status;	/* UVF_NVME_STATUS(sct, sc) */
	int err;
	const char *name;
};

#define G(sc, e, n) { UVF_NVME_STATUS(UVF_NVME_SCT_GENERIC, sc), e, n }
#define C(sc, e, n) { UVF_NVME_STATUS(UVF_NVME_SCT_CMD_SPECIFIC, sc), e, n }
#define M(sc, e, n) { UVF_NVME_STATUS(UVF_NVME_SCT_MEDIA, sc), e, n }
#define P(sc, e, n) { UVF_NVME_STATUS(UVF_NVME_SCT_PATH, sc), e, n }

static const struct status_desc statuses[] = {
	G(0x00, 0, "Successful Completion"),
	G(0x01, -EOPNOTSUPP, "Invalid Command Opcode"),
	G(0x02, -EINVAL, "Invalid Field in Command"),
	G(0x03, -EPROTO, "Command ID Conflict"),
	G(0x04, -EIO, "Data Transfer Error"),
	G(0x05, -EIO, "Commands Aborted due to Power Loss Notification"),
	G(0x06, -EIO, "Internal Error"),
	G(0x07, -ECANCELED, "Command Abort Requested"),
	G(0x08, -ECANCELED, "Command Aborted due to SQ Deletion"),
	G(0x09, -ECANCELED, "Command Aborted due to Failed Fused Command"),
	G(0x0a, -ECANCELED, "Command Aborted due to Missing Fused Command"),
	G(0x0b, -ENXIO, "Invalid Namespace or Format"),
	G(0x0c, -EPROTO, "Command Sequence Error"),
	G(0x0d, -EINVAL, "Invalid SGL Segment Descriptor"),
	G(0x0e, -EINVAL, "Invalid Number of SGL Descriptors"),
	G(0x0f, -EINVAL, "Data SGL Length Invalid"),
	G(0x10, -EINVAL, "Metadata SGL Length Invalid"),
	G(0x11, -EINVAL, "SGL Descriptor Type Invalid"),
	G(0x13, -EINVAL, "PRP Offset Invalid"),
	G(0x15, -EACCES, "Operation Denied"),
	G(0x16, -EINVAL, "SGL Offset Invalid"),
	G(0x1e, -EINVAL, "SGL Data Block Granularity Invalid"),
	G(0x80, -ERANGE, "LBA Out of Range"),
	G(0x81, -ENOSPC, "Capacity Exceeded"),
	G(0x82, -EAGAIN, "Namespace Not Ready"),
	G(0x83, -EBADE, "Reservation Conflict"),
	G(0x84, -EBUSY, "Format In Progress"),
	C(0x00, -EINVAL, "Completion Queue Invalid"),
	C(0x01, -EINVAL, "Invalid Queue Identifier"),
	C(0x02, -EINVAL, "Invalid Queue Size"),
	C(0x03, -EINVAL, "Abort Command Limit Exceeded"),
	C(0x05, -EINVAL, "Asynchronous Event Request Limit Exceeded"),
	C(0x06, -EINVAL, "Invalid Firmware Slot"),
	C(0x07, -EINVAL, "Invalid Firmware Image"),
	C(0x08, -EINVAL, "Invalid Interrupt Vector"),
	C(0x09, -EINVAL, "Invalid Log Page"),
	C(0x0a, -EINVAL, "Invalid Format"),
	C(0x0c, -EINVAL, "Invalid Queue Deletion"),
	C(0x0d, -EOPNOTSUPP, "Feature Identifier Not Saveable"),
	C(0x0e, -EOPNOTSUPP, "Feature Not Changeable"),
	C(0x0f, -EOPNOTSUPP, "Feature Not Namespace Specific"),
	/* Virtualization Management. */
	C(0x1f, -EINVAL, "Invalid Controller Identifier"),
	C(0x20, -EBUSY, "Invalid Secondary Controller State"),
	C(0x21, -ENOSPC, "Invalid Number of Controller Resources"),
	C(0x22, -EINVAL, "Invalid Resource Identifier"),
	C(0x80, -EINVAL, "Conflicting Attributes"),
	C(0x81, -EILSEQ, "Invalid Protection Information"),
	C(0x82, -EROFS, "Attempted Write to Read Only Range"),
	M(0x80, -EIO, "Write Fault"),
	M(0x81, -ENODATA, "Unrecovered Read Error"),
	M(0x82, -EILSEQ, "End-to-end Guard Check Error"),
	M(0x83, -EILSEQ, "End-to-end Application Tag Check Error"),
	M(0x84, -EILSEQ, "End-to-end Reference Tag Check Error"),
	M(0x85, -EBADMSG, "Compare Failure"),
	M(0x86, -EACCES, "Access Denied"),
	M(0x87, -ENODATA, "Deallocated or Unwritten Logical Block"),
	P(0x00, -ENOLINK, "Internal Path Error"),
	P(0x60, -ENOLINK, "Controller Pathing Error"),
	P(0x70, -ENOLINK, "Host Pathing Error"),
	P(0x71, -ECANCELED, "Command Aborted By Host"),
};

static const struct status_desc *lookup(uint16_t status)
{
	uint16_t key = UVF_NVME_STATUS(UVF_NVME_SCT(status),
				       UVF_NVME_SC(status));
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == key)
			return &statuses[i];
	return NULL;
}

int uvf_nvme_status_errno(uint16_t status)
{
	const struct status_desc *d;

	if (!UVF_NVME_SCT(status) && !UVF_NVME_SC(status))
		return 0;
	d = lookup(status);
	if (d)
		return d->err;
	/* Unknown path-related codes are still path errors. */
	return UVF_NVME_SCT(status) == UVF_NVME_SCT_PATH ? -ENOLINK : -EIO;
}

const char *uvf_nvme_status_str(uint16_t status)
{
	const struct status_desc *d = lookup(status);

	return d ? d->name : "Unknown Status";
}
